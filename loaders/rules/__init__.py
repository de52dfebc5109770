"""Extraction rules for the fact families added with the development corpus.

Each module reads a document (its text, sentences and linked mentions) and returns facts of
one family; `loaders.extraction` runs them after the sentence rules. They take no running
context, so that each can be read and tested on its own.
"""
