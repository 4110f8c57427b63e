"""The shared contract: settings, event schemas, topic names and the city profile.

Every role (producers, streams, consumers, dashboards, deploy) imports from here; this
package imports no role, so the contract has exactly one home.
"""
