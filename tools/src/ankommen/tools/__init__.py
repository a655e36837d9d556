"""ankommen's development tooling, a distribution (``ankommen-tools``) no production image
installs: the embedded stack on one machine (:mod:`ankommen.tools.embedded` with Tansu,
:mod:`ankommen.tools.apache_kafka`, :mod:`ankommen.tools.local_broker`, the development identity
provider :mod:`ankommen.tools.dev_idp`), the development commands of ``ankommen``
(:mod:`ankommen.tools.commands`: ``run``, ``broker``, ``token``, ``events schemas``), the
synthetic county (:mod:`ankommen.tools.synthetic`) and the demo loader
(:mod:`ankommen.tools.demo`).

The demo and the synthetic county talk to the services only through their public APIs and
topics and use the shared event contracts; import-linter keeps the services and the shared
library from importing anything here.
"""
