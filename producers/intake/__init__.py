"""The complaint intake service: Open311 GeoReport v2 for citizens' apps, and a JSON
endpoint for the agencies' status updates."""
