"""The world's state: clock, ids, resources and their event log. Stdlib only; knows nothing of actions or HTTP."""
