"""Data against an SCM: encoding frames, the scales behind default priors and standardization."""
