"""One router per capability, mounted by `medlm.service.app.create_app`."""
