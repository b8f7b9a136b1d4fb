"""The interview: a pure engine (what to ask next), a session (load, save, resume) and the
prompt layer (the only module that imports questionary)."""
