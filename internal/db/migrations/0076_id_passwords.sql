-- Re-authentication by the current password inside a session (the password change page): how
-- many times in a row this session gave a wrong one. At the fifth the session ends, so that
-- someone who holds a session but not the password cannot try passwords there at will.
ALTER TABLE id_sessions ADD COLUMN reauth_failures INTEGER NOT NULL DEFAULT 0;
