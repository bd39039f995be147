@"%~dp0AgentCompanion.exe" %*
