enum ControllersModule {}
