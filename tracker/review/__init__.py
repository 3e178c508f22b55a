"""Review workflow: working groups review drafts before anything is published.

``workflow.transition`` owns every state change (submit, request changes,
approve, publish, withdraw, back to draft); ``comments`` holds the threaded
comments on revisions; ``notify`` the in-app notifications and e-mail;
``access`` who (beyond editors) may see a record that is not published.
"""
