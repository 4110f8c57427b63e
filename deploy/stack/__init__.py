"""The local stack: real services on loopback, started and stopped by `pantau stack`."""
