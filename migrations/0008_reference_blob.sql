-- Version 8: reference profiles as the serialized protobuf itself, in a BLOB. A reference is
-- megabytes (its samples); as base64 in the STRICT TEXT column `profile` every SetReference
-- encoded it (a third larger) and SQLite copied the text once more to bind it, and every load
-- decoded it again. New rows leave `profile` empty and fill `profile_pb`; rows written before
-- keep their text (base64 protobuf or, older still, JSON) in `profile`, and profile_pb NULL.
ALTER TABLE model_references ADD COLUMN profile_pb BLOB;
