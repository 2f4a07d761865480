import { Module } from '@nestjs/common';
import { PmModule } from '@pm/adapter-nest';
import { DatabaseService } from './database.service.js';
import { WorkController, WorkCounters } from './work.controller.js';

@Module({
  imports: [
    // forRootAsync so the environment is read when the app starts, not when this file is imported.
    PmModule.forRootAsync({
      useFactory: () => ({
        // The lock file: env PID_FILE_PATH, else ./data/nest-app.pid (read by @pm/lock).
        lock: { name: 'nest-app', metadata: { example: 'nest-app' } },
        shutdown: { drainDelay: process.env.DRAIN_DELAY_MS === undefined ? undefined : Number(process.env.DRAIN_DELAY_MS) },
      }),
    }),
  ],
  controllers: [WorkController],
  providers: [DatabaseService, WorkCounters],
})
export class AppModule {}
