"""irispy_plus.visualization"""
