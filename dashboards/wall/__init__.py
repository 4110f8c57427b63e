"""The live wall page: the command center's figures pushed to the TVs as they change."""
