# Alembic configuration of an erlen app's migrations (written by `erlen db init`).
# The database URL is not here: env.py takes it from the app's configuration.

[alembic]
# Names of new revision files; the default is %%(rev)s_%%(slug)s.
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s

# Set to 'true' to run env.py for `erlen db revision` even without --autogenerate.
# revision_environment = false


# Logging of the `erlen db` commands.
[loggers]
keys = root,sqlalchemy,alembic,erlen_db

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[logger_erlen_db]
level = INFO
handlers =
qualname = erlen.db

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
