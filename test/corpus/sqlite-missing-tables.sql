PRAGMA journal_mode = WAL;
CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT);
INSERT INTO schema_meta VALUES ('schema_version', '18'), ('app_version', '2026.9.6');
CREATE TABLE something_else (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO something_else (v) VALUES ('not pairing data');
