"""Background work of the images app, run through Django's task framework.

With the default immediate backend a task runs in the process that
enqueued it; with ``JANUS_TASKS_BACKEND=database`` it is stored in the
database and run by ``manage.py db_worker`` on any machine that reaches it.
"""

from django.tasks import task

from images.services import analysis_run


@task()
def analyse_image(analysis_id: int) -> str:
    """Run the queued analysis ``analysis_id``; return its final status."""
    analysis = analysis_run(analysis_id=analysis_id)
    return analysis.status if analysis is not None else "gone"
