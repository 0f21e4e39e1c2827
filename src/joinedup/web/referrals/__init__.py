"""Standard referrals: one form for every agency, matched to the person index, triaged by the
hub coordinator into the Integrated Action Team's cases."""
