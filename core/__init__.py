"""The ground floor: helpers every app shares. Imports only Django and
libraries, never an app of ours (an import-linter contract checks it)."""
