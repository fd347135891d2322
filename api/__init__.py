"""zhkh.api"""
