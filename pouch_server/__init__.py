"""pouchd: the system API of PouchContainer's daemon, served from api/swagger.yaml."""
