"""zhkh.modules"""
