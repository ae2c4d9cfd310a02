#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Production unless told otherwise: a command run on a server without the variable must not
    # quietly use development settings (e-mails written to files, DEBUG). `make run` and
    # `make test` choose theirs.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
