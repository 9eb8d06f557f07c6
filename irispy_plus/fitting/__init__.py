"""irispy_plus.fitting"""
