"""The frontline workforce: partner organisations' frontline teams, and their Making Every
Contact Count training and other shared development (the emerging leaders programme)."""
