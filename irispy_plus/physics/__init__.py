"""irispy_plus.physics"""
