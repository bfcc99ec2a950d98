"""The steering stage: QCD météo, risks, change requests, committees, decisions, actions, COPIL deck."""
