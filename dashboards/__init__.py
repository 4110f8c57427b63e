"""Command-center dashboards as code: Python that renders Grafana JSON into dashboards/json."""
