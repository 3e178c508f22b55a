"""Unbound extension objects; create_app binds them with init_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tracker.modelbase import Base

# join_transaction_mode only matters when the session is bound to a Connection
# that is already in a transaction (the test suite does that); it keeps a
# rollback inside the app from undoing the test's outer transaction.
db = SQLAlchemy(
    model_class=Base,
    session_options={"join_transaction_mode": "create_savepoint", "expire_on_commit": False},
)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
