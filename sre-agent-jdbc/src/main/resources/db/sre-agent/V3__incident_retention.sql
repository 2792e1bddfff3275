-- Ended incidents deleted by IncidentRetention, by id: a later save of the same ended incident is ignored, so the
-- agent's start-up replay of the audit log (which re-saves every incident it finds there) does not bring them back.
-- Their history stays in the audit log. A save of the id as an active incident removes its row here.
CREATE TABLE sre_incident_forgotten (
  id VARCHAR(200) NOT NULL PRIMARY KEY,
  forgotten_at VARCHAR(40) NOT NULL
);
