"""irispy_plus.calibration"""
