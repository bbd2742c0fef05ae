enum NodeAgentModule {}
