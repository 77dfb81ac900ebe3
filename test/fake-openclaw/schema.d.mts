export declare const SQLITE_SCHEMA: string;
