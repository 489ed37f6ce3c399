"""Test support shipped with the package: an in-process S3 server and the vfs conformance suite."""
