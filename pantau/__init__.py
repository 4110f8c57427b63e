"""Pantau: the real-time stream processor behind a Smart City command center.

`pantau.contract` is the shared contract every role imports; `pantau.cli` is the
command line that composes the roles.
"""
