"""The portal's corrections of Django's locale formats (FORMAT_MODULE_PATH).

Only what differs from Django's own is set here; everything else falls through to
django/conf/locale/<language>/formats.py.
"""
