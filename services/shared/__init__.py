"""Pieces more than one service needs: common settings and the traced Mongo client."""
