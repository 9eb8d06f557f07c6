"""irispy_plus.asdf"""
