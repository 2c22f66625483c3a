#!/usr/bin/env python3
"""Writes a zip of the given files and folders that is the same, byte for byte, wherever the same content is zipped.

Usage: zip-source.py OUTPUT.zip PATH...  (paths relative to the working folder, stored under those names)

The module names the uploaded object by the zip's MD5, so any other difference would redeploy the functions on
every apply: entries are sorted, each has one fixed time and mode, and they are stored rather than deflated, since
deflate's output differs between zlib builds (zlib-ng, for one) and so between deployers' machines.
"""
import os
import sys
import zipfile


def files_under(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in os.walk(path):
                yield from (os.path.join(folder, name) for name in names)
        elif os.path.isfile(path):
            yield path
        else:
            sys.exit(f"zip-source.py: {path} is neither a file nor a folder")


def write_zip(target, paths):
    names = sorted(path.replace(os.sep, "/") for path in files_under(paths))
    partial = f"{target}.partial"
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
        for path in names:
            entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            entry.create_system = 3  # Unix, on every system, so the mode below means the same everywhere
            entry.external_attr = 0o100644 << 16
            with open(path, "rb") as file:
                archive.writestr(entry, file.read())
    # Renamed into place whole: a failed run never leaves a partial zip under the name Terraform reads.
    os.replace(partial, target)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: zip-source.py OUTPUT.zip PATH...")
    write_zip(sys.argv[1], sys.argv[2:])
