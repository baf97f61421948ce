-- Version 3: /ask's suggestions of the questions people asked that were
-- answered. question_key is the question's words, lower case, one space
-- apart (NULL when the question's text is not kept), written by bytewatch
-- with each record; the rows already there get an approximation (lower
-- case, spaces trimmed) until retention replaces them. The partial index
-- holds only the rows a suggestion may come from, newest last per server,
-- so that a suggestion request reads one server's latest answered /ask
-- questions without passing over other servers' records; in SQLite it
-- holds the key and the text too, so that the query reads no table row
-- (a narrow request 4x faster; PostgreSQL gained nothing from it).
ALTER TABLE questions ADD COLUMN question_key TEXT;
UPDATE questions SET question_key = lower(trim(question)) WHERE question IS NOT NULL;
CREATE INDEX questions_suggest ON questions (guild_id, asked_at, question_key, question)
	WHERE outcome = 'answered' AND entry = 'slash_command' AND question_key IS NOT NULL;
