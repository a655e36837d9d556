"""Tools around ankommen that are not part of any service's runtime: the synthetic county
(:mod:`ankommen.tools.synthetic`) and the demo loader (:mod:`ankommen.tools.demo`).

They talk to the services only through their public APIs and topics and use the shared event
contracts; import-linter keeps the services and the shared library from importing them.
"""
