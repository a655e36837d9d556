"""Events owned by progress (keyed by case pseudonym) and the provider-report contract of the
provider topics (keyed by referral code)."""
