"""ADR files and the record they hold, with no database: plain dataclasses and pure functions.

`record` is the shape every output goes through, `vocabulary` the words the dialects share
(statuses, dates, relations, front matter), `readers` turn files into records and `writers`
records into files. Nothing here imports a model, so the importer, the exporters, the command
line and the tests all use it alike.
"""
