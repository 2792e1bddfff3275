-- Detector snapshots (dev.sreagent.api.port.DetectorStateStore): one row per agent id, replaced by each save, so a
-- restarted agent resumes detection without a new warm-up. state is the agent's encoded snapshot (gzip, checked by
-- the agent on restore); taken_at is the agent clock's ISO-8601 time of the snapshot. BYTEA: PostgreSQL's binary
-- type, an alias of BINARY VARYING in H2.
CREATE TABLE sre_detector_state (
  agent_id VARCHAR(200) NOT NULL PRIMARY KEY,
  taken_at VARCHAR(40) NOT NULL,
  state BYTEA NOT NULL
);
