"""Who the caller is: roles and principals, the tokens that carry them (issued in
development, verified by every service — by key or by an identity provider's JWKS) and
their keys. Used by the services' entry points and service layers alike, so it is not
part of :mod:`ankommen.shared.web`.
"""
