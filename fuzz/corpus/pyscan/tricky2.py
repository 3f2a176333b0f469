# -*- coding: latin-1 -*-
"""doc é"""
revision = b"x" r"\y" u"\u00e9"
down_revision = """a\
b"""
x = 1 if y else 2
