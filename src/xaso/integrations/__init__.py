"""Clients of outside systems (SMS gateways, later payment and the national portal), one module
per system (STYLE.md §2). Services never make HTTP calls themselves: they call these clients,
which tests run for real against a local server speaking the same protocol."""
