enum SchedulerModule {}
