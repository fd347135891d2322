"""zhkh.adapters"""
