PRAGMA journal_mode = WAL;
CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT);
INSERT INTO schema_meta VALUES ('schema_version', '18'), ('app_version', '2026.9.6');
CREATE TABLE device_pairing_paired (device_id TEXT NOT NULL PRIMARY KEY, public_key TEXT NOT NULL, role TEXT, created_at_ms INTEGER NOT NULL, approved_at_ms INTEGER NOT NULL);
INSERT INTO device_pairing_paired VALUES ('{{deviceId}}', '{{publicKey}}', 'operator', {{dayAgoMs}}, {{dayAgoMs}});
CREATE TABLE device_pairing_pending (request_id TEXT NOT NULL PRIMARY KEY, device_id TEXT NOT NULL, ts INTEGER NOT NULL);
INSERT INTO device_pairing_pending VALUES ('{{requestId}}', '{{deviceId}}', {{nowMs}});
CREATE TABLE device_auth_tokens (device_id TEXT NOT NULL, role TEXT NOT NULL, token TEXT NOT NULL,
  scopes_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL, PRIMARY KEY (device_id, role)) STRICT;
INSERT INTO device_auth_tokens VALUES ('{{deviceId}}', 'operator', '{{token}}', '["operator.read"]', {{dayAgoMs}});
