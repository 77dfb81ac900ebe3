PRAGMA journal_mode = WAL;
CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT);
INSERT INTO schema_meta VALUES ('schema_version', '18'), ('app_version', '2026.9.6');
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
INSERT INTO device_pairing_paired (device_id, public_key, role, roles_json, scopes_json, approved_scopes_json, tokens_json, created_at_ms, approved_at_ms)
  VALUES ('{{deviceId}}', '{{publicKey}}', 'operator', '["operator"', '{not json', '["operator.read",', '{"operator":{"token":"{{token}}",', {{dayAgoMs}}, {{dayAgoMs}});
INSERT INTO device_pairing_pending (request_id, device_id, public_key, client_id, client_mode, role, roles_json, scopes_json, silent, is_repair, ts)
  VALUES ('{{requestId}}', '{{deviceId}}', '{{publicKey}}', 'gateway-client', 'backend', 'operator', '["operator"]', '["operator.write"]', 0, 1, {{nowMs}});
INSERT INTO device_auth_tokens VALUES ('{{deviceId}}', 'operator', '{{token}}', '["operator.read"]', {{dayAgoMs}});
