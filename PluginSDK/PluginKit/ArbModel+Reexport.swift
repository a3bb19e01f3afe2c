@_exported import ArbModel
