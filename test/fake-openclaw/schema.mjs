// OpenClaw's SQLite pairing schema (2026.8+), as the notes give it, plus the identity and meta tables
// the fixtures need. Shared by the test fixtures and the benchmarks.
export const SQLITE_SCHEMA = `
CREATE TABLE device_pairing_paired (device_id TEXT NOT NULL PRIMARY KEY, public_key TEXT NOT NULL,
  display_name TEXT, operator_label TEXT, platform TEXT, device_family TEXT, client_id TEXT, client_mode TEXT,
  browser_origin TEXT, role TEXT, roles_json TEXT, scopes_json TEXT, approved_scopes_json TEXT, remote_ip TEXT,
  tokens_json TEXT, approved_via TEXT, node_surface_json TEXT, pending_node_surface_json TEXT,
  created_at_ms INTEGER NOT NULL, approved_at_ms INTEGER NOT NULL, last_seen_at_ms INTEGER,
  last_seen_reason TEXT) STRICT;
CREATE TABLE device_pairing_pending (request_id TEXT NOT NULL PRIMARY KEY, device_id TEXT NOT NULL,
  public_key TEXT NOT NULL, display_name TEXT, platform TEXT, device_family TEXT, client_id TEXT,
  client_mode TEXT, browser_origin TEXT, role TEXT, roles_json TEXT, scopes_json TEXT, remote_ip TEXT,
  silent INTEGER, is_repair INTEGER, ts INTEGER NOT NULL, refreshed_at_ms INTEGER) STRICT;
CREATE TABLE device_auth_tokens (device_id TEXT NOT NULL, role TEXT NOT NULL, token TEXT NOT NULL,
  scopes_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL, PRIMARY KEY (device_id, role)) STRICT;
CREATE TABLE device_identities (identity_key TEXT PRIMARY KEY, device_id TEXT NOT NULL,
  public_key_pem TEXT NOT NULL, private_key_pem TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL);
CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT);
`;
